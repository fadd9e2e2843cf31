"""The registry's console pages, mounted under /staff/ by linli/urls.py: property (overview,
buildings, units, houses, counter registration), people (people, a person, reveal, search,
vehicles, care), audit (the audit timeline, the log of personal-data reads), imports (the wizard)."""
