from linli.dashboards.models.figures import DailyFigure
from linli.dashboards.models.screens import ScreenToken

__all__ = ["DailyFigure"]
__all__ += ["ScreenToken"]
