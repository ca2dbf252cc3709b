"""An opening sent to 1,000 contacts against the local Bot API server enforcing Telegram's limits.

Run: ``python bench/broadcast.py [--contacts 1000]``. Prints messages delivered per second as a
fraction of Telegram's 30 msg/s ceiling, how often the server pushed back (HTTP 429), and how many
messages were lost (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

# Run as a script, this folder would come first on sys.path; keep imports resolving to the project.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from telegram import Bot  # noqa: E402

from bot.broadcast import Broadcaster  # noqa: E402
from bot.offline.local_api import Limits, LocalBotApi  # noqa: E402
from workflows.replies import Button, Reply  # noqa: E402

CEILING = 30


async def run(contacts: int) -> None:
    """Broadcast one opening message to ``contacts`` chats and report the rate and the losses."""
    api = LocalBotApi(limits=Limits(per_chat=1, overall=CEILING, retry_after=1))
    api.start()
    try:
        bot = Bot(api.token, base_url=api.base_url, base_file_url=api.file_url)
        async with bot:
            opening = Reply(
                "2026 年报告开始填报。办公室需要填写：\n· 一、总体情况\n截止 1月20日，还剩 14 天",
                ((Button("开始填写", "fill"),),),
            )
            messages = [(10_000 + n, opening) for n in range(contacts)]
            report = await Broadcaster().send(bot, messages, lambda chat: None)
        received = sum(1 for n in range(contacts) if api.messages_to(10_000 + n))
        rate = report.delivered / report.seconds if report.seconds else float("inf")
        print(f"contacts            {contacts}")
        print(f"delivered           {report.delivered} in {report.seconds:.1f}s")
        print(f"rate                {rate:.1f} msg/s = {rate / CEILING:.2f} of the {CEILING} msg/s ceiling")
        print(f"429 answers         {sum(1 for *_, code in api.rejected if code == '429')}")
        print(f"lost                {contacts - received}")
    finally:
        api.stop()


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1000)
    asyncio.run(run(parser.parse_args().contacts))


if __name__ == "__main__":
    main()
