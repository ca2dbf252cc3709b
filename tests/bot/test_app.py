"""The token never reaches a log line, whatever logs it."""

from __future__ import annotations

import logging

from bot.app import protect_logs


def test_the_token_is_redacted_from_every_log_record(caplog):
    token = "123456:SECRET-token_value"
    factory = logging.getLogRecordFactory()
    try:
        protect_logs(token)
        with caplog.at_level(logging.INFO):
            logging.getLogger("telegram.ext").info("POST https://api.telegram.org/bot%s/getUpdates", token)
            logging.getLogger("bot").warning(f"failed: https://api.telegram.org/bot{token}/sendMessage")
        assert token not in caplog.text and caplog.text.count("<token>") == 2
        assert logging.getLogger("httpx").level == logging.WARNING
    finally:
        logging.setLogRecordFactory(factory)
