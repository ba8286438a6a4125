#!/usr/bin/env python3
"""Writes the flat-ODS sources of the workbook fixtures from the bundled
area CSVs; make.sh then has LibreOffice save each as .xlsx and .ods.
Only the sources are ours: every committed workbook is LibreOffice's."""
import csv, os, re, sys
from xml.sax.saxutils import escape, quoteattr

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
OUT = sys.argv[1]

HEAD = '''<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"
 xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
%s
<office:automatic-styles>
 <number:date-style style:name="N_iso"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
 <number:date-style style:name="N_uk"><number:day number:style="long"/><number:text>/</number:text><number:month number:style="long"/><number:text>/</number:text><number:year number:style="long"/></number:date-style>
 <number:boolean-style style:name="N_bool"><number:boolean/></number:boolean-style>
 <style:style style:name="ce_iso" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N_iso"/>
 <style:style style:name="ce_uk" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N_uk"/>
 <style:style style:name="ce_bool" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N_bool"/>
 <style:style style:name="ta_shown" style:family="table"><style:table-properties table:display="true"/></style:style>
 <style:style style:name="ta_hidden" style:family="table"><style:table-properties table:display="false"/></style:style>
</office:automatic-styles>
<office:body><office:spreadsheet>
%s'''
TAIL = '</office:spreadsheet></office:body></office:document>\n'
DATE = re.compile(r'^\d{4}-\d\d-\d\d$')
INT = re.compile(r'^[1-9]\d{0,6}$')   # what Calc's CSV import would make a number


def cell(v, kind=None):
    """A cell as Calc would type it on import: dates and short whole
    numbers typed, everything else text (multi-line text as paragraphs)."""
    if kind == 'formula':
        f, val = v
        return ('<table:table-cell table:formula=%s office:value-type="float" office:value="%s">'
                '<text:p>%s</text:p></table:table-cell>' % (quoteattr(f), val, val))
    if kind == 'bool':
        return ('<table:table-cell table:style-name="ce_bool" office:value-type="boolean" '
                'office:boolean-value="%s"><text:p>%s</text:p></table:table-cell>'
                % ('true' if v else 'false', 'TRUE' if v else 'FALSE'))
    if kind == 'float':
        return ('<table:table-cell office:value-type="float" office:value="%s"><text:p>%s</text:p>'
                '</table:table-cell>' % (v, v))
    if v == '':
        return '<table:table-cell/>'
    if kind != 'text' and DATE.match(v):
        return ('<table:table-cell table:style-name="%s" office:value-type="date" office:date-value="%s">'
                '<text:p>%s</text:p></table:table-cell>' % ('ce_uk' if kind == 'uk' else 'ce_iso', v, v))
    if kind != 'text' and INT.match(v):
        return cell(v, 'float')
    paras = ''.join('<text:p>%s</text:p>' % escape(p) for p in v.split('\n'))
    return '<table:table-cell office:value-type="string">%s</table:table-cell>' % paras


def table(name, rows, hidden=False, kinds=None):
    kinds = kinds or {}
    out = ['<table:table table:name=%s table:style-name="%s">'
           % (quoteattr(name), 'ta_hidden' if hidden else 'ta_shown')]
    for r, row in enumerate(rows):
        out.append('<table:table-row>')
        for c, v in enumerate(row):
            out.append(v if isinstance(v, str) and v.startswith('<table:') else
                       cell(v, kinds.get((r, c), kinds.get(c) if r else 'text')))
        out.append('</table:table-row>')
    out.append('</table:table>\n')
    return ''.join(out)


def rows(path):
    with open(path, newline='', encoding='utf-8') as f:
        return [r for r in csv.reader(f)]


def write(name, body, null_date=None, active=None):
    # Calc shows a hidden sheet when it is the active one: name another
    view = ''
    if active:
        view = ('<office:settings><config:config-item-set config:name="ooo:view-settings">'
                '<config:config-item-map-indexed config:name="Views"><config:config-item-map-entry>'
                '<config:config-item config:name="ActiveTable" config:type="string">%s</config:config-item>'
                '</config:config-item-map-entry></config:config-item-map-indexed>'
                '</config:config-item-set></office:settings>' % escape(active))
    settings = ''
    if null_date:
        settings = ('<table:calculation-settings><table:null-date table:date-value="%s"/>'
                    '</table:calculation-settings>' % null_date)
    with open(os.path.join(OUT, name + '.fods'), 'w', encoding='utf-8') as f:
        f.write(HEAD % (view, settings) + body + TAIL)


liv = os.path.join(ROOT, 'areas', 'liverpool')
area, contacts, sigs = (rows(os.path.join(liv, n + '.csv')) for n in ('area', 'contacts', 'signatories'))
schools = rows(os.path.join(liv, 'schools.csv'))

# One workbook for the whole area; the phone column stays text as staff
# keep it (a number would lose the leading 0).
phone = {contacts[0].index(c) for c in ('phone', 'out_of_hours')}
ck = {c: 'text' for c in phone}
write('area', table('area', area, kinds={1: 'text'}) + table('contacts', contacts, kinds=ck)
      + table('signatories', sigs))
# The same with the 1904 date system (old Mac Excel workbooks).
write('area1904', table('area', area, kinds={1: 'text'}) + table('contacts', contacts, kinds=ck)
      + table('signatories', sigs), null_date='1904-01-01')

# The same with a phone number one digit short, which the checks find.
bad = [r[:] for r in contacts]
bad[3][contacts[0].index('phone')] = '0151 233 302'
write('badphone', table('area', area, kinds={1: 'text'}) + table('contacts', bad, kinds=ck)
      + table('signatories', sigs))

# Recipients: a hidden first sheet of notes, then the schools with the urn
# a number, copies a formula, and a sheet after them.
notes = [['note'], ['Sent to every primary and secondary school in the city']]
sch = [schools[0]] + [r[:] for r in schools[1:]]
cc = sch[0].index('copies')
kinds = {}
for i, r in enumerate(sch[1:], 1):
    r[cc] = ('<table:table-cell table:formula="of:=1+%s" office:value-type="float" office:value="%s">'
             '<text:p>%s</text:p></table:table-cell>' % (int(r[cc]) - 1, r[cc], r[cc]))
write('schools', table('notes', notes, hidden=True) + table('schools', sch)
      + table('other', [['x'], ['y']]), active='schools')
# Calc's .xlsx export shows the first sheet whatever it is told (it is the
# active one), so the .xlsx has its hidden sheet second.
write('schools.xlsx', table('schools', sch) + table('notes', notes, hidden=True)
      + table('other', [['x'], ['y']]))

# Variants for the reader's tests: every kind of cell, empty runs, a merged
# cell, a phone that became a number, a UK-formatted date, booleans.
t = ['<table:table table:name="cells" table:style-name="ta_shown">',
     '<table:table-row>' + ''.join(cell(h, 'text') for h in
        ['name', 'when', 'count', 'ratio', 'flag', 'phone', 'note', 'sum']) + '</table:table-row>',
     '<table:table-row>' + cell('Ann O\'Neill & <Co>') + cell('2015-03-17', 'uk') + cell('42', 'float')
     + cell('2.5', 'float') + cell(True, 'bool') + cell('0151 233 0476', 'text') + cell('two\nlines')
     + cell(('of:=[.C2]*2', '84'), 'formula') + '</table:table-row>',
     '<table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="8"/></table:table-row>',
     '<table:table-row>' + cell('Bob') + '<table:table-cell table:number-columns-repeated="3"/>'
     + cell(False, 'bool') + cell('0151 233 0476', 'text') + '<table:table-cell table:number-columns-spanned="2" office:value-type="string"><text:p>merged</text:p></table:table-cell><table:covered-table-cell/>'
     + '</table:table-row>',
     '<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>',
     '</table:table>\n']
# a phone number typed into a cell formatted as a number, and a formula
# that went wrong: each is an error naming its cell
t += [table('damaged', [['name', 'phone'], ['Careline', '1512330476']], kinds={1: 'float'})]
t += ['<table:table table:name="formula error" table:style-name="ta_shown"><table:table-row>',
      cell('total', 'text'), '</table:table-row><table:table-row>',
      '<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0"><text:p>#DIV/0!</text:p></table:table-cell>',
      '</table:table-row></table:table>\n']
write('cells', ''.join(t))
