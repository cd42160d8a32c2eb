"""projections: read models folded from the event log (see `projections.base`)."""

from projections.hall_board import HallBoard
from projections.statistics import Statistics
from projections.ticket_status import TicketStatus
from projections.window_view import WindowView

__all__ = ["HallBoard", "Statistics", "TicketStatus", "WindowView"]
