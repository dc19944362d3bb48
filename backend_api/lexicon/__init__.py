"""The words citizens use for services («پاسپورت» for گذرنامه), curated by admins."""
