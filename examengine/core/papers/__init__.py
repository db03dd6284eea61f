"""Paper generation: (rules, candidate pool, seed) -> paper, pure and reproducible.

Every paper of an exam draws the same number of questions per difficulty level per rule, so papers
are equally hard; the seed only chooses which questions within each level, their order and the
option orders. See quotas.py for the fairness method and matching.py for feasibility.
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
from examengine.core.papers.fairness import Spread, paper_difficulty_spread
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
    "FACILITY_CUTS", "Candidate", "Facility", "balanced_on", "level_of_facility", "measured_level",
    "measured_levels", "DrawRule", "FixedRule", "InfeasibleRules", "Paper", "PaperPlan", "PaperSpec",
    "SectionSpec", "Shortfall", "Slot", "Spread", "assemble_paper", "canonical_pool", "check_feasibility",
    "draw_paper", "paper_difficulty_spread", "plan_paper",
]
