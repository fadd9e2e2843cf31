from linli.dashboards.models.figures import DailyFigure
from linli.dashboards.models.reports import MonthlyReport  # reports (DASH-3)
from linli.dashboards.models.sharing import SharingCall, SharingToken  # data sharing (SEC-4)

__all__ = ["DailyFigure"]
__all__ += ["MonthlyReport", "SharingCall", "SharingToken"]
