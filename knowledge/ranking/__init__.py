"""Ranking: a question read (spelling, lexicon), then documents ranked (lexical + dense fused)."""
