def senacs(request):
    return {"perimetre": getattr(request, "perimetre", None)}
