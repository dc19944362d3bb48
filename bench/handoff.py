"""Live handoff: how long a person's reply takes to reach the citizen, and the other way round.

Starts the whole assistant as an operator does (``python -m assistant run --no-train``, private
ports and data folder), then, for each of ``--citizens`` web conversations in turn:

1. the citizen asks for a person in the widget's channel (``POST /api/chat``);
2. a staff member (the admin account) finds the waiting conversation and takes it
   (``POST /api/v1/staff/handoffs/{id}/take``: Rasa's tracker is paused) — *take*;
3. the widget listens on its server-sent events stream (``GET /api/events``), as the browser
   does; the staff member replies (``POST …/messages``) and the clock stops when the reply
   arrives on the stream — *reply → widget* (target: 500 ms);
4. the citizen answers in the widget; the clock stops when the staff API shows the message —
   *citizen → staff*;
5. the staff member closes the conversation (Rasa resumes it) — *close*.

    PYTHONPATH=. python bench/handoff.py [--citizens 20] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from assistant.local_stack import LocalStack, local_stack  # noqa: E402

log = logging.getLogger(__name__)

ASK_FOR_A_PERSON = "می‌خوام با کارشناس صحبت کنم"
TIMEOUT_S = 30.0


def _admin_token(stack: LocalStack, api: str) -> str:
    banner = stack.out.read_text(encoding="utf-8")
    match = re.search(r"admin login\s+admin / (\S+)", banner)
    if match is None:
        raise RuntimeError("the start banner does not show the admin login")
    body = {"username": "admin", "password": match.group(1)}
    return str(httpx.post(f"{api}/auth/token", json=body, timeout=30).json()["access_token"])


async def _first_event(
    client: httpx.AsyncClient, gateway: str, session: str, after: int, marker: str
) -> float:
    """Listen on the widget's event stream until an entry with ``marker`` arrives; its time."""
    params = {"sender": session, "after": str(after)}
    async with client.stream("GET", f"{gateway}/api/events", params=params) as stream:
        async for line in stream.aiter_lines():
            if line.startswith("data:") and marker in line:
                return time.perf_counter()
    raise RuntimeError("the event stream ended before the reply came")


async def one_citizen(
    client: httpx.AsyncClient, stack: LocalStack, api: str, staff: dict[str, str], i: int
) -> dict[str, float]:
    """Walk one handoff through; the milliseconds of each step."""
    gateway = stack.url("GATEWAY")
    session = f"benchhandoff{i:04d}" + "0" * 20
    chat = await client.post(
        f"{gateway}/api/chat", json={"sender": session, "message": ASK_FOR_A_PERSON}
    )
    after = int(chat.json().get("seq") or 0)
    queue = (await client.get(f"{api}/staff/handoffs", headers=staff)).json()
    handoff = next(h for h in queue if h["conversation_id"] == f"web:{session}")
    base = f"{api}/staff/handoffs/{handoff['id']}"
    figures: dict[str, float] = {}

    started = time.perf_counter()
    (await client.post(f"{base}/take", headers=staff)).raise_for_status()
    figures["take"] = (time.perf_counter() - started) * 1000

    marker = f"پاسخ کارشناس {i}"
    listener = asyncio.create_task(_first_event(client, gateway, session, after, marker))
    await asyncio.sleep(0.2)  # the stream is open before the reply is sent, as in the browser
    started = time.perf_counter()
    (await client.post(f"{base}/messages", json={"text": marker}, headers=staff)).raise_for_status()
    arrived = await asyncio.wait_for(listener, TIMEOUT_S)
    figures["reply_to_widget"] = (arrived - started) * 1000

    question = f"پرسش شهروند {i}"
    started = time.perf_counter()
    await client.post(f"{gateway}/api/chat", json={"sender": session, "message": question})
    while True:
        detail = (await client.get(base, headers=staff)).json()
        if any(m["text"] == question for m in detail["messages"]):
            break
        if time.perf_counter() - started > TIMEOUT_S:
            raise RuntimeError("the citizen's message did not reach the staff API")
        await asyncio.sleep(0.01)
    figures["citizen_to_staff"] = (time.perf_counter() - started) * 1000

    started = time.perf_counter()
    closing = await client.post(f"{base}/close", json={"outcome": "answered"}, headers=staff)
    closing.raise_for_status()
    figures["close"] = (time.perf_counter() - started) * 1000
    return figures


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)


async def measure(citizens: int) -> dict[str, dict[str, float]]:
    """Start a private stack and walk ``citizens`` handoffs through it, one after the other."""
    with (
        tempfile.TemporaryDirectory(prefix="dastyar-bench-") as tmp,
        local_stack(Path(tmp) / "stack", timeout=900) as stack,
    ):
        api = f"{stack.url('BACKEND')}/api/v1"
        staff = {"Authorization": f"Bearer {_admin_token(stack, api)}"}
        rows = []
        async with httpx.AsyncClient(timeout=TIMEOUT_S) as client:
            for i in range(citizens):
                rows.append(await one_citizen(client, stack, api, staff, i))
    steps = rows[0].keys()
    return {
        step: {
            "p50_ms": _percentile([r[step] for r in rows], 0.5),
            "p95_ms": _percentile([r[step] for r in rows], 0.95),
            "max_ms": round(max(r[step] for r in rows), 1),
        }
        for step in steps
    }


def main() -> None:
    """Parse the options, run, print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="[bench] %(message)s")
    result = asyncio.run(measure(args.citizens))
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{'step':<20}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}   ({args.citizens} handoffs)")
    for step, row in result.items():
        print(f"{step:<20}{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}{row['max_ms']:>9.0f}")


if __name__ == "__main__":
    main()
