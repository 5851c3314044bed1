def mask(number):
    return number[:4] + "*" * 10 + number[-4:]
