"""What the implementations layer announces to the layers above it, which it must not import.

`content_removing` is sent inside the transaction that is about to delete an implementation
(`implementation=`) or one org connection (`connection=`), before the delete: the org models app
empties its models there by model (orgmodels/removal.py), since the ORM's cascade alone fails at a
few hundred thousand components."""

from __future__ import annotations

from django.dispatch import Signal

content_removing = Signal()
