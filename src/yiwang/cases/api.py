from ninja import Router

router = Router(tags=["cases"])
staff_router = Router(tags=["workbench"])
