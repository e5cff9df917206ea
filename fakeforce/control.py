"""`POST /__fakeforce/<action>` with a JSON body: the Python controls for tests in other processes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .handler import Request, Response, json_response

if TYPE_CHECKING:
    from .emulator import Emulator


def handle(emu: Emulator, req: Request) -> Response:
    action = req.path.removeprefix("/__fakeforce/").strip("/")
    if req.method == "GET" and action == "info":
        return json_response(emu.info())
    if req.method != "POST":
        return json_response({"error": "use POST"}, 405)
    try:
        args: dict[str, Any] = req.json()
        result = _run(emu, action, args)
    except (KeyError, ValueError, TypeError) as exc:
        return json_response({"error": type(exc).__name__, "message": str(exc)}, 400)
    return json_response({"ok": True, "result": result})


def _run(emu: Emulator, action: str, a: dict[str, Any]) -> Any:
    if action == "inject_fault":
        opts = {k: v for k, v in a.items() if k not in ("org", "kind", "times")}
        emu.inject_fault(org=a.get("org"), kind=a["kind"], times=int(a.get("times", 1)), **opts)
        return None
    if action == "clear_faults":
        emu.clear_faults()
        return None
    if action == "expire_access_tokens":
        return emu.expire_access_tokens(a["org"])
    if action == "revoke_refresh_tokens":
        return emu.revoke_refresh_tokens(a["org"])
    if action in ("add_component", "modify_component"):
        content = a.get("files") if a.get("files") is not None else a.get("xml")
        getattr(emu, action)(a["org"], a["type"], a["full_name"], content, by=a.get("by", "Jane Admin"))
        return None
    if action == "delete_component":
        emu.delete_component(a["org"], a["type"], a["full_name"], by=a.get("by", "Jane Admin"))
        return None
    if action == "refresh_sandbox":
        return emu.refresh_sandbox(a["org"])
    if action == "api_calls":
        return emu.api_calls(a.get("org"))
    if action == "set_auto_approve":
        emu.set_auto_approve(a.get("username"))
        return None
    if action == "set_dependencies":
        emu.set_dependencies(a["org"], a["rows"])
        return None
    if action == "info":
        return emu.info()
    raise KeyError(f"unknown action {action!r}")
