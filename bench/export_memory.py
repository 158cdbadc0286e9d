"""Peak memory of a JSON provision-records export with ids (issue 12, finding 5).

``python -m bench.export_memory STORE_URL [RECORDS] [IDS_PER_RECORD]`` fills the store with
RECORDS confirmation records of IDS_PER_RECORD allowed ids each (default 50 x 10,000 = 500k
ids), then reads ``GET /provision-records?ids=1&limit=10000`` through the app, chunk by chunk
as a server would send it, and prints the process's peak resident memory before and after.
Run it on an empty store: it adds records to the site ``demo``.
"""

from __future__ import annotations

import resource
import sys
import time


def main() -> None:
    """Fill, export, print ``peak_rss_mb before after bytes seconds``."""
    from cmp import clock, create_app, provision
    from cmp.apikeys import issue
    from cmp.model import ProvisionRecord
    from cmp.seed import seed_demo

    url = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    per = int(sys.argv[3]) if len(sys.argv) > 3 else 10_000
    app = create_app({"SECRET_KEY": "bench-secret-0123456789", "STORE_URL": url, "TESTING": True})
    store = app.extensions["cmp.store"]
    seed_demo(store)
    dmp = next(r for r in store.get_recipients("demo") if r.key == "dmp-partner")
    for n in range(count):
        when = f"2026-01-01T{n // 60:02d}:{n % 60:02d}:00Z"
        allowed = [[f"{n:06d}{i:016d}", f"{n:06d}{i:016d}-1"] for i in range(per)]
        store.append_provision_record(
            ProvisionRecord(
                record_id=f"pr-{n:05d}", site="demo", recipient=provision.recipient_snapshot(dmp),
                items=["閲覧履歴"], purpose="p", consent_confirmation="c",
                foreign_info_confirmation="", provided_from=when, provided_to=when,
                allowed_count=per, denied_count=0,
                retention_until=provision.retention_until(clock.parse(when), 30),
                created_by="bench", created_at=when, allowed=allowed,
            )
        )  # fmt: skip
        del allowed
    key = issue(store, "demo", ["read"])[1]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    began = time.monotonic()
    resp = app.test_client().get(
        "/api/v1/sites/demo/provision-records?ids=1&limit=10000",
        headers={"Authorization": f"Bearer {key}"},
        buffered=False,
    )
    size = sum(len(chunk) for chunk in resp.response)
    resp.close()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{before:.0f} {after:.0f} {size} {time.monotonic() - began:.1f}")


if __name__ == "__main__":
    main()
