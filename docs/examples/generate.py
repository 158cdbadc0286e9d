"""Regenerate the examples of this folder: the demo site's ja notice page and a ja CSV
export of one batch confirmation record (issue 11 acceptance).

Run from the repository root: ``.venv/bin/python docs/examples/generate.py``. It uses a
throw-away SQLite store, the demo seed, two banner decisions and one provision check for a
period of the coming month, exactly as an operator's backend would make them.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from cmp import create_app, jst
from cmp.apikeys import issue
from cmp.seed import seed_demo

HERE = Path(__file__).parent
ORIGIN = "http://127.0.0.1:8000"


def main() -> None:
    """Write notice-ja.html and batch-record-ja.csv next to this file."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "examples-secret-0123456789",
                "STORE_URL": f"sqlite:///{folder}/examples.sqlite3",
                "RATE_LIMIT": "off",
                "CONFIG_CACHE_SECONDS": 0.0,
            }
        )
        store = app.extensions["cmp.store"]
        seed_demo(store)
        client = app.test_client()
        vids = []
        for granted in ({"dmp-partner": True}, {"dmp-partner": False}):
            body = {"policy_version": 1, "categories": {"targeting": True}, "lang": "ja"}
            resp = client.post(
                "/api/v1/sites/demo/consents",
                json={**body, "recipients": granted},
                headers={"Origin": ORIGIN},
            )
            vids.append(resp.get_json()["visitor_id"])
        key = issue(store, "demo", ["provision", "read"])[1]
        first = jst.today() + timedelta(days=1)
        check = {
            "recipient": "dmp-partner",
            "items": ["閲覧履歴", "Cookie ID"],
            "visitor_ids": vids,
            "provided_from": first.isoformat(),
            "provided_to": (first + timedelta(days=30)).isoformat(),
        }
        auth = {"Authorization": f"Bearer {key}"}
        client.post("/api/v1/sites/demo/provision-checks", json=check, headers=auth)
        csv = client.get(
            "/api/v1/sites/demo/provision-records",
            query_string={"format": "csv", "lang": "ja"},
            headers=auth,
        ).get_data()
        (HERE / "batch-record-ja.csv").write_bytes(csv)
        page = client.get("/sites/demo/external-transmission").get_data()
        (HERE / "notice-ja.html").write_bytes(page)
        store.close()


if __name__ == "__main__":
    main()
