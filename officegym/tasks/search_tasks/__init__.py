"""Search templates: reading tasks answered from the search engine's results and the pages of the
corpus sites (policies and their versions, release notes, news, the wiki, careers), with
filters, pagination, "did you mean" and the knowledge panel."""

from officegym.tasks.search_tasks import news, pages, policies, products

__all__ = ["news", "pages", "policies", "products"]
