"""Work-order screens: the resident's H5 (resident.py), the technician's H5 (technician.py) and
the console (console.py), mounted at /workorders/ by linli/workorders/urls.py."""
