"""Personal data out of every process's logs: one filter, one installer, one launcher.

Every process calls :func:`install_log_masking` at start (the backend and the gateway in their
entry points and app factories; Rasa and the action server, whose entry points are Rasa's own,
are started through this module: ``python -m shared.log_masking rasa run …``).

The filter is applied where records are made (Python's log record factory), not on handlers:
Rasa, Sanic and uvicorn replace the root handlers after start, and a filter on a handler would
leave with it. Importable from both envs (standard library and :mod:`nlu.personal_data` only).
"""

from __future__ import annotations

import logging
import runpy
import sys
from typing import Any

from nlu.personal_data import mask_personal_data

_MARK = "_dastyar_masks_personal_data"


class MaskPersonalData(logging.Filter):
    """Rewrites a record's message (and its traceback) with personal data masked; drops none."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask ``record`` in place; always keep it."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string is the logging module's to report, not ours
            return True
        masked = mask_personal_data(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # An exception's text can quote the input that caused it.
            record.exc_text = mask_personal_data(
                logging.Formatter().formatException(record.exc_info)
            )
        return True


def install_log_masking() -> None:
    """Mask every log record this process makes from now on (idempotent)."""
    make = logging.getLogRecordFactory()
    if getattr(make, _MARK, False):
        return
    mask = MaskPersonalData()

    def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        mask.filter(record)
        return record

    setattr(masked_record, _MARK, True)
    logging.setLogRecordFactory(masked_record)


def main(argv: list[str]) -> None:
    """Run module ``argv[0]`` as ``python -m`` would, with its arguments, logs masked."""
    install_log_masking()
    sys.argv = list(argv)
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
