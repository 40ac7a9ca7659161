"""Turning transcript files into stored text, speaker turns and sentences.

``readers`` decodes .txt and .docx files, ``turns`` finds speaker turns,
``participants`` finds the participant id and case, ``segment`` splits turns into
sentences with spaCy. Nothing here touches the database; spaCy is imported only
when sentences are needed.
"""
