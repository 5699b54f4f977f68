"""A local mail catcher for scripts/start: every mail the app sends, decoded and readable, in a file.

aiosmtpd's own Debugging handler prints the raw message (encoded subjects, quoted-printable
bodies with links split across lines). This one decodes each mail and writes its sender,
recipients, subject and plain-text body, and names its attachments.
Usage: python scripts/mail_catcher.py HOST PORT LOGFILE
"""
from __future__ import annotations

import sys
import time
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


class Readable:
    def __init__(self, path: str):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        body = message.get_body(preferencelist=("plain", "html"))
        attachments = [part.get_filename() or part.get_content_type() for part in message.iter_attachments()]
        lines = [
            "=" * 72,
            f"Date:    {message.get('Date', '')}",
            f"From:    {message.get('From', envelope.mail_from)}",
            f"To:      {', '.join(envelope.rcpt_tos)}",
            f"Subject: {message.get('Subject', '')}",
        ]
        if attachments:
            lines.append(f"Attached: {', '.join(attachments)}")
        lines += ["", body.get_content().rstrip() if body is not None else "(no text part)", ""]
        with open(self.path, "a", encoding="utf-8") as log:
            log.write("\n".join(lines) + "\n")
        return "250 Message accepted for delivery"


def main() -> int:
    host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    controller = Controller(Readable(path), hostname=host, port=port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
