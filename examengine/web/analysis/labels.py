"""What each analysis flag means, in the reader's language: the analysis pages and the question browser."""
from flask_babel import lazy_gettext as _l

FLAG_LABELS = {
    "small_sample": _l("Too few attempts to trust (fewer than 30)"),
    "alpha_unsatisfactory": _l("Internal consistency unsatisfactory (alpha below 0.64)"),
    "too_hard": _l("Very hard (facility below 10%)"),
    "too_easy": _l("Very easy (facility above 90%)"),
    "low_discrimination": _l("Low discrimination (below 0.20): revise"),
    "negative_discrimination": _l("Negative discrimination: check the key or reject"),
    "low_efficiency": _l("Discriminative efficiency below 15%"),
    "unused_distractor": _l("A distractor nobody chose"),
    "no_data": _l("No graded answers yet"),
    "different_papers": _l("Papers hold different questions: alpha and effective weights need the same questions on every paper"),
    "per_exam_only": _l("Different papers: test figures per exam only"),
}
ATTEMPT_LABELS = {"last": _l("Last attempt of each examinee"), "first": _l("First attempt of each examinee"),
                  "best": _l("Best attempt of each examinee"), "all": _l("All attempts")}
