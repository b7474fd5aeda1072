"""Text as a person reads it: LaTeX in titles and abstracts decoded and rendered (pure, no format, no Qt)."""
