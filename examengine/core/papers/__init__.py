"""Paper generation: (rules, candidate pool, seed) -> paper, pure and reproducible.

Every paper of an exam has the same total difficulty (or lies within the exam's tolerance of it);
each paper chooses among equally hard difficulty profiles, weighted so that no question is on
more papers than needed (exposure.py); the seed then chooses which questions within each level,
their order and the option orders. See quotas.py for the base quotas and matching.py for
feasibility.
"""
from examengine.core.papers.assemble import (
    PaperPlan,
    assemble_paper,
    draw_paper,
    plan_paper,
)
from examengine.core.papers.difficulty import (
    FACILITY_CUTS,
    Facility,
    balanced_on,
    level_of_facility,
    measured_level,
    measured_levels,
)
from examengine.core.papers.exposure import OVEREXPOSED, Mix
from examengine.core.papers.fairness import (
    Exposure,
    QuestionExposure,
    Spread,
    paper_difficulty_spread,
    paper_exposure,
    plan_spread,
)
from examengine.core.papers.feasibility import canonical_pool, check_feasibility
from examengine.core.papers.rules import (
    Candidate,
    DrawRule,
    FixedRule,
    InfeasibleRules,
    Paper,
    PaperSpec,
    SectionSpec,
    Shortfall,
    Slot,
)

__all__ = [
    "FACILITY_CUTS", "OVEREXPOSED", "Candidate", "Exposure", "Mix", "QuestionExposure", "paper_exposure", "plan_spread", "Facility", "balanced_on", "level_of_facility", "measured_level",
    "measured_levels", "DrawRule", "FixedRule", "InfeasibleRules", "Paper", "PaperPlan", "PaperSpec",
    "SectionSpec", "Shortfall", "Slot", "Spread", "assemble_paper", "canonical_pool", "check_feasibility",
    "draw_paper", "paper_difficulty_spread", "plan_paper",
]
