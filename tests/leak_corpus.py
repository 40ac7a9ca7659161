"""A planted set for the identifier check: interview transcripts with known leaks.

Each ``{{...}}`` marks one planted identifier (the braces are removed from the
text). The transcripts are otherwise pseudonymised the way the study's are:
speaker ids such as S3PW1, placeholders in square brackets, and the ordinary
capitalised words of NHS talk (the Trust, Recovery College, Monday, CPN). Some
planted names are deliberately not in the check's word lists (Tamsin, Okoro,
Ffion, Bartholomew), so the figures measure the fall-back rules too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARK = re.compile(r"\{\{(.+?)\}\}")

TRANSCRIPTS: dict[str, str] = {
    "S7PW1": """\
[Interview with S7PW1, peer worker, Site 7. Pseudonymised transcript.]

Interviewer: Thanks for doing this. Could you tell me how you came to peer work?

S7PW1: Yeah. So I'd been under the CMHT for years, and my care coordinator, {{Janet}}, said I should apply. {{Janet}} was brilliant, honestly. I did the Recovery College course on a Tuesday, and then the post came up at [NHS Trust].

Interviewer: What was the training like?

S7PW1: Good. Really good. {{Dr O'Brien}} ran one of the sessions on boundaries, and {{Siobhan O'Brien}} (no relation, we joked about it) did the one on safety plans. Will you want the dates? I will have them somewhere. It was twelve weeks, Monday and Thursday mornings.

Interviewer: No need, thanks. How did the ward staff take to you?

S7PW1: Mixed. {{Will}} on [ward] was lovely. {{Will}} said to me on my first day, come and find me if anyone gives you grief. But the consultant, {{Mr Okoro}}, he never once said hello. [laughs] You get used to it.

Interviewer: And supervision?

S7PW1: Every fortnight with my coordinator. If I was stuck I'd ring her on {{07700 900461}} and she always picked up. The office number is {{(0161) 496 0000}} but nobody answers that.

Interviewer: How did you keep in touch with the people you supported?

S7PW1: Texts mostly. One lad would message me on Instagram, {{@kieran_b_96}}, which I had to stop because of the policy. {{Kieran}} was gutted but he understood. I told {{kieran}}'s mum too, so everyone knew where they stood.
""",
    "S7PWC": """\
[Interview with S7PWC, peer worker coordinator, Site 7.]

Interviewer: How was the peer support offer set up at your site?

S7PWC: We built it on the model from the study, sixteen weeks, up to ten contacts. Our lead, {{Tamsin}}, wrote the job descriptions. {{Tamsin Hughes}} did the interviews with me in the end.

{{Sarah}}: Sorry, can I add something here? I was the other coordinator for a bit.

Interviewer: Of course, go ahead.

{{Sarah}}: The referrals came from the ward, mostly from {{Nurse Adeyemi}} on [ward]. She'd email us at {{peersupport.site7@nhs.net}} and we'd pick them up within the week.

S7PWC: And the paperwork went to {{s.patel@example.org}}, the audit person. {{Patel}} was very thorough. We also had a page on the intranet, {{https://intranet.example-trust.nhs.uk/peer-support}}, and a public one at {{www.peerlinks-example.org.uk}}.

Interviewer: How did you get feedback from participants?

S7PWC: A form at the end, plus the fidelity checklist. Our engagement was around sixty per cent, which we were proud of. The steering group met on the first Wednesday of the month in the Education Centre.
""",
    "S8PW1": """\
[Interview with S8PW1, peer worker, Site 8.]

Interviewer: Could you tell me about a piece of work that went well?

S8PW1: There was one woman, I'll call her [participant], she'd been in and out for years. Her son ({{Declan}}) came to the first meeting. She gave me her details for the forms, NHS number {{9434765919}}, and her address was up at {{m14 5rt}}, near the park. Honestly the forms ask for too much.

Interviewer: What did the forms ask for?

S8PW1: Date of birth, {{14/03/1979}}, her National Insurance number, {{AB 12 34 56 C}}, all of it. I said to the office, we shouldn't be writing this down. Born {{3rd March 1979}} or something, I can't remember which one it was on the form.

Interviewer: And the wards?

S8PW1: [pause] {{Grace}} on the ward was brilliant. Grace under pressure, that woman. The ward manager, {{Bartholomew}}, was less keen on us. And {{Ffion}} from the crisis team used to sit in on the handover.

Interviewer: How did people contact you?

S8PW1: The team mobile, {{0161-496-0001}}. Or if they were out of area, {{+44 (0)20 7946 0123}}. We had a Facebook page too, {{@site8peers}}, but that was run by comms.
""",
    "S8PWC": """\
[Interview with S8PWC, peer worker coordinator, Site 8.]

Interviewer: What about leadership at your site?

S8PWC: We had good support from the top. {{Professor Whitfield}} championed it at the board. Then {{Mrs Begum}} took over as service manager and kept it going. {{Gareth}} in finance found us the money for the second year.

Interviewer: Was the funding secure?

S8PWC: Never. We were on a year-to-year thing. I remember the meeting on {{12 January 2021}} where we nearly lost it. {{Mohammed}} from the commissioners was the one who saved it, to be fair.

Interviewer: How did the peer workers find the role?

S8PWC: Most of them loved it. {{Ellie}} struggled at first. ({{Ellie}} had a hard time with the ward staff, and we moved her to the community side.) {{Conor}} was the opposite, he was straight in.

Interviewer: What would you change?

S8PWC: Honestly, more time for supervision. And I'd put the training on the Recovery College's timetable, so people from other teams could come. The CPN team asked about it in March.
""",
    "S9PW1": """\
[Interview with S9PW1, peer worker, Site 9.]

Interviewer: How did you first hear about the post?

S9PW1: From a friend, {{Priya}}. {{Priya Shah}} worked in the Trust already and sent me the link, {{https://jobs.example.nhs.uk/v/12345}}. I applied on the Friday and heard back on the Monday.

Interviewer: What was the hardest part of the job?

S9PW1: Boundaries. People would find you on social media. One man found me as {{@joannepeer}}, which is my old account. {{Joanne}} is my real name, obviously, so that's why I use S9PW1 here. [laughs]

Interviewer: And the best part?

S9PW1: Seeing people get their life back. One participant, {{Mr Lewis}}, rang me at {{020 7946 0321}} just to say he'd got a job. I cried. His postcode was {{cf10 3nb}}, I remember because I posted him a card.

Interviewer: How did you look after yourself?

S9PW1: Walks. Music. My sister {{Aoife}} would come round. We'd watch rubbish TV. And supervision with {{Dr Kowalski}} every two weeks, she was great.

{{Tom}}: Sorry, I'm just popping in, the room's booked at eleven.

Interviewer: No problem, we're nearly done.
""",
    "S9PWC": """\
[Interview with S9PWC, peer worker coordinator, Site 9.]

Interviewer: How did the ward staff respond to peer workers?

S9PWC: It depended on the ward. On [ward] they were great, led by {{Stephen}}. {{Stephen}} made sure the peer workers were in handover. Elsewhere it was harder. Sister {{McDonald}}, she was old school.

Interviewer: And monitoring?

S9PWC: We sent the numbers monthly to {{research.team@example.ac.uk}}. Engagement was our measure. The fidelity score was eleven, which was one of the higher ones I think.

Interviewer: Anything else you'd like to add?

S9PWC: Only that the people are what made it. The peer workers, and people like {{Lynne}} in admin who sorted everything. {{lynne}} never got enough credit. Her extension was {{0113 496 0555}} if you ever need her, but she's retired now. Oh and my NI number is on the form, {{JT 65 43 21 A}}, I sent it by mistake. Her birthday was {{21.07.1962}}, we did a cake.
""",
}


@dataclass(frozen=True)
class Planted:
    document: str
    start: int
    end: int
    text: str


def planted_documents() -> tuple[list[tuple[str, str]], list[Planted]]:
    """The transcripts without their marks, and where each planted identifier is."""
    docs: list[tuple[str, str]] = []
    planted: list[Planted] = []
    for name, marked in TRANSCRIPTS.items():
        out: list[str] = []
        pos = 0
        length = 0
        for m in MARK.finditer(marked):
            out.append(marked[pos : m.start()])
            length += m.start() - pos
            planted.append(Planted(name, length, length + len(m.group(1)), m.group(1)))
            out.append(m.group(1))
            length += len(m.group(1))
            pos = m.end()
        out.append(marked[pos:])
        docs.append((name, "".join(out)))
    return docs, planted


def score(findings: list, planted: list[Planted]) -> tuple[float, float, list[Planted], list]:
    """(recall, false-alarm share, missed identifiers, false alarms) of a check's findings."""

    def overlaps(f: object, p: Planted) -> bool:
        return f.document == p.document and f.start < p.end and p.start < f.end  # type: ignore[attr-defined]

    missed = [p for p in planted if not any(overlaps(f, p) for f in findings)]
    false = [f for f in findings if not any(overlaps(f, p) for p in planted)]
    recall = 1 - len(missed) / len(planted)
    false_share = len(false) / len(findings) if findings else 0.0
    return recall, false_share, missed, false
