from ninja import NinjaAPI

api = NinjaAPI(title="Orgbook API", version="1", urls_namespace="api")
