"""The associations' part of the 苗栗縣 demo (`manage.py seed_demo`, composed in `config.demo`)."""
