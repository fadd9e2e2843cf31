"""The UI shell's base, below every app: the console's frame and access checks (common), the
table-with-filters data (tables). Base templates and components are in linli/web for now."""
