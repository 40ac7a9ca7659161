"""Word lists for the name check: common UK given names and surnames, role labels, placeholders.

A capitalised word from these lists is very likely a person's name wherever it
stands (at a sentence start, in brackets, as a speaker label). Names that are
also ordinary English words ("Will", "Grace", "Mark") are listed apart: they
count only where the context says name (mid-sentence capital, or followed by a
verb such as "said").
"""

from __future__ import annotations

GIVEN_NAMES = frozenset("""
aaron abdul abigail adam adrian ahmed aidan aisha alan alex alexander alexandra ali alice alison
amanda amelia amir amy andrea andrew angela anita ann anna anne anthony archie arthur ashley
barbara barry ben benjamin beth bethany beverley brenda brian bridget callum cameron carl carla
caroline catherine charles charlie charlotte chloe chris christine christopher claire colin conor
craig daniel danielle darren david deborah declan deepak denise derek diane donna dorothy dylan
edward eileen elaine eleanor elizabeth ellie emily emma eric ethan fatima fiona francesca gareth
gary gavin gemma george georgia gillian gordon graham hannah harry harriet hassan heather helen
henry ian imran isaac isabel isabella jack jacqueline james jamie jane janet janice jasmine jason
jayne jennifer jenny jessica joanne joe john jonathan joseph josh joshua julia julie karen kate
katie kathleen kayleigh keith kelly kevin kieran kirsty laura lauren leah lee leon liam linda
lisa louise lucy luke lynn lynne maria mariam marie martin mary matthew maureen megan melanie
michael michelle mohammed muhammad naomi natalie nathan neil nicola nicholas niamh oliver olivia
owen paul paula pauline peter philip priya rachel raj rebecca richard rhys robert ryan sadia
sally samantha samuel sandra sarah scott sean shaun sharon shirley siobhan simon sophie stacey
stephen steven stuart susan suzanne tariq teresa thomas tim timothy tom tony tracey tracy vicky
victoria wayne william yasmin zara zoe aoife ciara conall ewan fergus morag seamus sinead
""".split())

AMBIGUOUS_GIVEN_NAMES = frozenset("""
will mark grace hope faith joy rose amber dawn bill frank pat sue jack rob bob
holly ivy ruby lily daisy robin penny sandy ray dean guy don carol summer hazel jade pearl
""".split())

SURNAMES = frozenset("""
smith jones williams taylor davies evans wilson thomas johnson roberts robinson thompson
wright walker hughes edwards lewis clarke jackson harris martin cooper morris patel khan
ahmed ali hussain begum singh kaur shah chowdhury obrien o'brien o'connor o'neill o'reilly
murphy kelly mcdonald macdonald mcleod mckenzie campbell stewart anderson scott murray
reid morrison fraser hamilton graham robertson henderson ferguson mitchell watson cunningham
okafor okonkwo adeyemi mensah nguyen kowalski nowak novak gallagher doherty quinn byrne
""".split())

# Speaker labels that are roles, not people.
ROLE_LABELS = frozenset("""
interviewer interviewee participant respondent facilitator moderator researcher speaker
int iv i r p q a ir pw pwc note notes transcriber unknown both all everyone group
""".split())

# Words that stand in brackets as placeholders or transcription notes.
PLACEHOLDERS = frozenset("""
name names redacted removed hospital site ward town city place area organisation trust team
service laughs laughter pause inaudible crosstalk sighs coughs unclear overlapping interview
transcript note
""".split())

# Capitalised words that are ordinary in UK interview transcripts.
COMMON_CAPITALISED = frozenset("""
i i'm i've i'd i'll im ive id ill ok okay mr mrs ms dr mum dad nan
monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
christmas easter ramadan eid england english britain british scotland wales ireland uk nhs
trust trusts gp gps covid zoom teams whatsapp facebook google internet recovery college mind
god yeah yes no right so well and but because then like um erm er uh oh
powerpoint youtube linkedin instagram twitter tiktok outlook microsoft excel iphone ipad
""".split())

# The last word of an organisation's or a thing's name: "Education Centre", "National Insurance".
INSTITUTION_WORDS = frozenset("""
centre center college university school unit ward hospital trust council service services team
group board insurance health care house clinic practice surgery project network partnership
programme association society foundation charity office department
""".split())

# Words after "Will" at a sentence start that make it the verb ("Will you...").
SUBJECT_WORDS = frozenset("""
you i we they he she it there that this the a an anyone anybody someone somebody everyone
people your my our their his her its these those any
""".split())
