#!/usr/bin/env bash
# Makes the user guide's screenshots (docs/user/images/*.png, 1280 x 800, never the whole page) from the
# browser tests that check the same pages: never by hand (tests/docs/test_guide_screenshots.py holds
# every image to a test that takes it). Needs Chromium (/usr/bin/chromium) and the .venv that ./run makes.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Only the tests that take a screenshot; the first sync is shot once, at the desktop width ("not phone").
ORGBOOK_DOC_SCREENSHOTS=1 DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest -q -p no:xdist -m browser -k "not phone" \
  tests/browser/test_across.py \
  tests/browser/test_space_admin_pages.py \
  tests/browser/test_run_changes.py \
  tests/browser/test_documentation_shared_note.py \
  tests/browser/test_newcomer_path.py::test_connect_org_wizard_creates_an_implementation \
  tests/browser/test_exploring.py::test_opening_a_type_in_the_tree_lists_its_components \
  tests/browser/test_sync_status_live.py::test_the_first_sync_is_watched_from_allow_to_the_org_model
