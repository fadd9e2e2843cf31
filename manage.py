#!/usr/bin/env python
from linli.__main__ import main

if __name__ == "__main__":
    main()
