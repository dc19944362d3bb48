"""Questions about services are kept out of the intents that do something else."""

from __future__ import annotations

import pytest

from nlu.routing import TARGET, load_router

ROUTER = load_router()


@pytest.mark.parametrize(
    ("intent", "text", "routed"),
    [
        # a question whether a service can be requested online is not a filing
        ("file_request", "درخواست کارت معلولیت رو آنلاین میشه ثبت کرد؟", TARGET),
        ("file_request", "میخوام تمدید گذرنامه ثبت کنم مدارکش چیه", TARGET),
        # a question about a service is not "what can you do"
        ("capabilities", "این پروانه ساختمانی دقیقا چیه؟", TARGET),
        ("capabilities", "مراحل گرفتن کارت بازرگانی", TARGET),
        # nor a suggestion or thanks
        ("suggest", "میشه اعتراض به جریمه رو اینترنتی انجام داد؟", TARGET),
        ("thanks", "ممنون، حالا هزینه‌ش چقدره؟", TARGET),
        # asking to file, to check a status, a real suggestion: left as they are
        ("file_request", "میخوام درخواست صدور گذرنامه ثبت کنم", "file_request"),
        ("check_status", "وضعیت درخواستم چی شد", "check_status"),
        ("check_status", "درخواست انشعاب آبم کجای کاره؟", "check_status"),
        ("file_request", "میخوام همین الان اقدام کنم، درخواستو ثبت کن", "file_request"),
        ("suggest", "بهتر نیست نوبت آنلاین بدید؟", "suggest"),
        ("capabilities", "چیکارا بلدی انجام بدی", "capabilities"),
        ("suggest", "پیشنهاد میکنم ساعت کاری دفاتر بیشتر بشه", "suggest"),
        ("thanks", "خیلی ممنون", "thanks"),
        # a greeting that goes on to ask about a service is the question; a greeting alone is not
        ("greet", "سلام وقت بخیر، هزینه صدور گذرنامه چنده؟", TARGET),
        ("greet", "salam khaste nabashid, tamdid govahiname chand rooz tool mikeshe?", TARGET),
        ("greet", "سلام عزیز، خوبی؟", "greet"),
        ("greet", "سلام، احوالتون چطوره؟", "greet"),
        ("greet", "سلام روز بخیر، خوب هستین؟", "greet"),
        # a question is not a filing, unless it asks the assistant to file
        ("file_request", "میتونم برای پدرم درخواست المثنی شناسنامه بدم یا خودش باید بیاد؟", TARGET),
        ("file_request", "میشه برام درخواست انشعاب گاز ثبت کنی؟", "file_request"),
        # a complaint that asks about a field is the question; a complaint stays a complaint
        ("complain", "اضافه کردن همسر به پرونده بیمه هزینه داره؟", TARGET),
        ("complain", "چرا هیچکس تو اداره برق تلفن رو جواب نمیده؟", "complain"),
        ("complain", "از برخورد کارمند دفتر پیشخوان شکایت دارم", "complain"),
        # a question about the assistant itself stays where it is
        ("capabilities", "چه کارهایی میتونی انجام بدی؟", "capabilities"),
        ("thanks", "خیلی ممنون از راهنماییتون", "thanks"),
        ("capabilities", "سازمان ثبت احوال چه خدماتی داره؟", TARGET),  # browsing, not "you"
    ],
)
def test_questions_are_routed_to_the_service_answer(intent, text, routed):
    assert ROUTER.route(intent, text) == routed
