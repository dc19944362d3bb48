"""Custom actions of the Rasa assistant (rasa-sdk); each feature in its own module."""
