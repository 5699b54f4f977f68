"""The quick start's mail catcher writes each mail decoded, so a newcomer can read subjects and follow links."""
from __future__ import annotations

import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mail_catcher.py"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_mails_are_written_decoded(tmp_path):
    port, log = _free_port(), tmp_path / "mail.log"
    catcher = subprocess.Popen([sys.executable, str(SCRIPT), "127.0.0.1", str(port), str(log)])
    try:
        for _ in range(100):
            try:
                connection = smtplib.SMTP("127.0.0.1", port, timeout=5)
                break
            except OSError:
                time.sleep(0.1)
        message = EmailMessage()
        message["From"], message["To"] = "contracts@tracker.invalid", "legal.gr@tracker.example"
        message["Subject"] = "Échéance dépassée — FT-2026-0001 (Institut Bergonié)"
        link = "http://127.0.0.1:5301/contracts/FT-2026-0001?site=IB&amp=" + "x" * 90
        message.set_content(f"Le délai de relecture est dépassé.\n{link}\n", cte="quoted-printable")
        message.add_attachment(b"%PDF-1.7", maintype="application", subtype="pdf", filename="FT-2026-0001.pdf")
        with connection:
            connection.send_message(message)
        for _ in range(50):
            if log.exists() and "Attached" in log.read_text(encoding="utf-8"):
                break
            time.sleep(0.1)
        text = log.read_text(encoding="utf-8")
    finally:
        catcher.terminate()
        catcher.wait(timeout=10)
    assert "Subject: Échéance dépassée — FT-2026-0001 (Institut Bergonié)" in text
    assert "Le délai de relecture est dépassé." in text
    assert link in text  # one line, as sent: no quoted-printable soft breaks
    assert "Attached: FT-2026-0001.pdf" in text and "=?utf-8?" not in text
