"""An opening for 1,000 contacts through the outbox, against a local Bot API with Telegram's limits.

Run: ``python bench/broadcast.py [--contacts 1000]``. Prints messages delivered per second as a
fraction of Telegram's 30 msg/s ceiling, how often the server pushed back (HTTP 429), and how many
messages were lost or duplicated (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

# Run as a script, this folder would come first on sys.path; keep imports resolving to the project.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from telegram import Bot  # noqa: E402

from bot.courier import Courier  # noqa: E402
from bot.offline.demo import example_settings  # noqa: E402
from bot.offline.local_api import Limits, LocalBotApi  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from storage import open_store  # noqa: E402
from storage.records import BROADCAST  # noqa: E402
from workflows.clock import SystemClock  # noqa: E402
from workflows.replies import Action, Button, Reply  # noqa: E402
from workflows.services import Services  # noqa: E402

CEILING = 30


async def run(contacts: int) -> None:
    """Put one opening per contact in the outbox and report the rate, the push-backs and the losses."""
    api = LocalBotApi(limits=Limits(per_chat=1, overall=CEILING, retry_after=1))
    api.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = example_settings("2021", "gov-disclosure-2021", Path(folder) / "db", api)
        store = open_store(settings.database)
        runtime = Runtime(Services(settings, store, SystemClock()))
        bot = Bot(api.token, base_url=api.base_url, base_file_url=api.file_url)
        courier = Courier(runtime, bot)
        try:
            async with bot:
                task = asyncio.create_task(courier.run())
                opening = Reply(
                    "2026 年报告开始填报。办公室需要填写：\n· 一、总体情况\n截止 1月20日，还剩 14 天",
                    ((Button("开始填写", Action.of("fill")),),),
                )
                loop = asyncio.get_running_loop()
                started = loop.time()
                async with runtime.unit("opening") as unit:
                    for n in range(contacts):
                        unit.reply(10_000 + n, opening, BROADCAST)
                await runtime.settled("opening", timeout=contacts)
                seconds = loop.time() - started
                await courier.stop()
                task.cancel()
        finally:
            store.close()
            api.stop()
    received = [len(api.messages_to(10_000 + n)) for n in range(contacts)]
    rate = contacts / seconds
    print(f"contacts            {contacts}")
    print(f"delivered           {sum(received)} in {seconds:.1f}s")
    print(f"rate                {rate:.1f} msg/s = {rate / CEILING:.2f} of the {CEILING} msg/s ceiling")
    print(f"429 answers         {sum(1 for *_, code in api.rejected if code == '429')}")
    print(f"lost                {received.count(0)}")
    print(f"sent twice          {sum(1 for count in received if count > 1)}")


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=1000)
    asyncio.run(run(parser.parse_args().contacts))


if __name__ == "__main__":
    main()
