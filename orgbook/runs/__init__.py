"""Runs of syncs, uploads and imports from start to finish: one SyncRun each, the org's lease and
its heartbeat, the steps after the commit, recovery of a run whose worker died, and the Celery
tasks. Above documentation and orgmodels: the steps after a version touch both."""
