"""The sponsor's side: messages between sponsor and site, mails to sponsors, what a sponsor may see."""
