"""Persian text helpers shared by the Rasa pipeline, the knowledge index and the backend."""
