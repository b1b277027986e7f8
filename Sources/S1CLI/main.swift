print("s1")
