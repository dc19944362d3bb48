"""What every process of the stack shares, importable from both envs (standard library only)."""
