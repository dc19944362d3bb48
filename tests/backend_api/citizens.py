"""Valid and invalid citizen identifiers for tests (computed, not copied from real people)."""

from nlu.identifiers import national_code_check_digit


def national_code(first_nine: str) -> str:
    """A national code with a correct check digit."""
    return first_nine + str(national_code_check_digit(first_nine))


ALI = national_code("001354241")
SARA = national_code("427512398")
WRONG_CHECK_DIGIT = ALI[:9] + str((int(ALI[9]) + 1) % 10)
MOBILE = "09121234567"
