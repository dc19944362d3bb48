"""SMS: a provider-neutral channel, a Kavenegar-style provider, segments, numbered options."""
