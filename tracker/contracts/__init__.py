"""Contracts: their input checks, creation, references and who may see them."""
