"""The UI shell's base, below every app: the console's frame and access checks (common), what
apps register into it (nav), the table-with-filters data (tables), how numbers and times read
(formatting) and the audit timeline (timeline). Base templates and components are in linli/web."""
