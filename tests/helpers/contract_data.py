"""What a sponsor and a contract must say for an agreement to be generated with no blank."""

# Everything an agreement prints about a French sponsor (a fictitious company with a valid SIREN).
SPONSOR_IDENTITY = {"legal_name": "Novacure Oncology SA", "legal_form": "société anonyme",
                    "registration_number": "832147565", "address": "18 rue de la Pépinière, 75008 Paris",
                    "representative": "Laura Novak", "representative_title": "Présidente"}
# What the contract itself must say for an agreement to have no blanks.
CONTRACT_DETAILS = {"acronym": "ESCALADE", "indication": "Advanced solid tumours", "patients": 24,
                    "investigators": {"GR": "Dr Claire Martin", "IB": "Dr Paul Garnier"},
                    "budget": [{"item": "Screening visit", "amount": 450, "unit": "EUR per patient"}],
                    "site_details": {
                        "GR": {"investigator_title": "Dr", "investigator_department": "Département d'innovation "
                               "thérapeutique", "investigator_rpps": "10000000009"},
                        "IB": {"investigator_title": "Dr", "investigator_department": "Unité d'essais cliniques",
                               "investigator_rpps": "12345678903", "patients": 6,
                               "budget": [{"item": "Screening visit", "amount": 1200, "unit": "EUR per patient"},
                                          {"item": "Treatment visit", "amount": 850.5, "unit": "EUR per visit"}]}}}
