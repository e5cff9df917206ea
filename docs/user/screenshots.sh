#!/usr/bin/env bash
# Makes the user guide's screenshots (docs/user/images/*.png) from the browser tests that check the
# same pages: never by hand. Needs Chromium (/usr/bin/chromium) and the .venv that ./run makes.
set -euo pipefail
cd "$(dirname "$0")/../.."
ORGBOOK_DOC_SCREENSHOTS=1 DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest -q -p no:xdist -m browser tests/browser/test_across.py
