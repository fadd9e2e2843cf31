"""Bulk import and export of the registry (REG-7): spreadsheets in, spreadsheets out."""
