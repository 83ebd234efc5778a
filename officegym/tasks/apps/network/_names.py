"""The seeded lists Network's people, companies, jobs and posts are drawn from."""

from __future__ import annotations

FIRST_NAMES = (
    "Adrian", "Beatriz", "Caleb", "Daria", "Emeka", "Freya", "Gabriel", "Helga", "Ibrahim",
    "Julia", "Kofi", "Larissa", "Milan", "Nadia", "Oscar", "Paloma", "Quentin", "Rosa",
    "Stefan", "Tamara", "Umar", "Valeria", "Wesley", "Ximena", "Yusuf", "Zara", "Anton",
    "Bianca", "Cyrus", "Delia", "Elliot", "Farah", "Gordon", "Iris", "Jasper", "Keira",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Brandt", "Castillo", "Dahl", "Eriksen", "Farrow", "Gallo", "Horvat", "Ivanova",
    "Jensen", "Kovac", "Lindgren", "Moreau", "Nakamura", "Osei", "Pereira", "Quinn", "Rahman",
    "Sandoval", "Toivonen", "Usman", "Vargas", "Whitaker", "Yilmaz", "Zimmer", "Okonkwo",
    "Bergstrom", "Coleman",
)  # fmt: skip
# The companies of the world's colleagues, by their e-mail domain.
DOMAIN_COMPANIES = {
    "northwind.test": "Northwind Traders",
    "contoso.test": "Contoso",
    "fabrikam.test": "Fabrikam",
    "tailspin.test": "Tailspin Toys",
}
OUTSIDE_COMPANIES = (
    "Litware", "Adatum", "Woodgrove Bank", "Proseware", "Wide World Importers",
    "Lucerne Publishing",
    "Coho Winery", "Alpine Ski House", "Blue Yonder Airlines", "Margie's Travel",
)  # fmt: skip
COMPANIES = (*DOMAIN_COMPANIES.values(), *OUTSIDE_COMPANIES)
LOCATIONS = (
    "Seattle, WA", "Austin, TX", "New York, NY", "London, UK", "Berlin, Germany",
    "Toronto, Canada", "Remote",
)  # fmt: skip
OUTSIDE_TITLES = (
    "Software Engineer", "Data Analyst", "Product Manager", "UX Designer", "Marketing Manager",
    "Account Executive", "Operations Manager", "Financial Analyst", "Customer Success Manager",
    "Engineering Manager", "Data Scientist", "Project Manager",
)  # fmt: skip
RECRUITER_TITLES = ("Technical Recruiter", "Talent Acquisition Partner", "Senior Recruiter")
SCHOOLS = (
    ("University of Washington", "B.S. Computer Science"),
    ("University of Texas at Austin", "B.B.A. Finance"),
    ("New York University", "M.A. Economics"),
    ("Imperial College London", "M.Eng. Mechanical Engineering"),
    ("TU Berlin", "M.Sc. Information Systems"),
    ("University of Toronto", "B.A. Psychology"),
    ("Georgia Tech", "M.S. Industrial Engineering"),
)
SKILLS = (
    "Project Management", "Program Management", "SQL", "Python", "Data Analysis",
    "Stakeholder Management", "Negotiation", "Public Speaking", "Budgeting", "User Research",
    "Product Strategy", "Recruiting", "Salesforce", "Excel", "Team Leadership", "Agile Methods",
    "Supply Chain", "Copywriting", "Forecasting", "Customer Success",
)  # fmt: skip
POST_TOPICS = (
    ("hiring", "We are hiring! Our team is looking for two engineers to join in {month}."),
    ("conference", "Back from {city}: three talks worth watching on data quality."),
    ("launch", "Proud of the team: {project} is live for every customer as of today."),
    ("promotion", "Some news: I am starting a new role as {title} this month."),
    ("mentoring", "Mentoring tip: ask for the decision you need, not only for feedback."),
    ("remote work", "Two years of remote work taught me to write things down first."),
    ("volunteering", "Spent Saturday at the food bank with colleagues. Highly recommend it."),
    ("reading", "Just finished a book on negotiation; the chapter on anchors changed my mind."),
    ("anniversary", "Five years at {company} today. Thank you to everyone who made it fun."),
    ("podcast", "Joined a podcast on {project} and what we learned shipping it."),
)
PROJECTS = ("Atlas", "Beacon", "Comet", "Harbor", "Juniper", "Orion")
MONTHS = ("April", "May", "June", "July")
CITIES = ("Lisbon", "Chicago", "Singapore", "Denver")
JOB_TITLES = (
    "Operations Manager", "Senior Operations Analyst", "Program Manager",
    "Business Operations Lead",
    "Supply Chain Manager", "Product Operations Manager", "Project Coordinator",
    "Strategy and Operations Manager", "Customer Operations Lead", "Logistics Planner",
)  # fmt: skip
REACTIONS = ("Like", "Celebrate", "Support", "Insightful", "Funny")
MESSAGE_OPENERS = (
    "Great to catch up last week. Are we still on for the {project} review?",
    "Could you send me the slides from the {project} workshop?",
    "Thanks for the intro to your team, it was really helpful.",
    "Do you have time for a quick call about {project} on Thursday?",
    "I saw your post about {project}. Congratulations to the whole team!",
)
MESSAGE_REPLIES = (
    "Sure, let me check my calendar and get back to you.",
    "Yes, sending them over this afternoon.",
    "Happy to help any time.",
    "Thursday works. Morning or afternoon?",
)
