"""Rasa plug-ins that are not NLU components (a lock store), named by module path in Rasa's
endpoints file; loaded by the Rasa env, so they may import ``rasa``. NLU components stay in
``nlu/components``."""
