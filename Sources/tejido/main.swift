print("tejido")
