from linli.dashboards.models.figures import DailyFigure

__all__ = ["DailyFigure"]
