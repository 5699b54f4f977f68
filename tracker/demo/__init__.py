"""The demo data set: ``seed`` adds it (``flask seed-demo``).

``parties`` holds the sponsors and people, ``trials`` what the contracts are about, ``scenarios``
the first contracts walked through the live operations, ``histories`` and ``bulk`` the large
sets built row by row with the same pure functions.
"""
