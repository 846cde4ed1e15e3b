from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'pathway.text.j2'

def root(context, missing=missing, environment=environment):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_standalone = resolve('standalone')
    l_0_pathway = resolve('pathway')
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.filters['wordwrap']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'wordwrap' found.")
    pass
    if (undefined(name='standalone') if l_0_standalone is missing else l_0_standalone):
        pass
        yield str(environment.finalize(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'title')))
        yield '\n'
        yield str(environment.finalize(('=' * t_1(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'title')))))
        yield '\n'
    else:
        pass
        yield '* '
        yield str(environment.finalize(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'title')))
        yield '\n'
    yield '    What to do:     '
    yield str(environment.finalize(t_2(environment, environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'what'), 80, break_long_words=False, break_on_hyphens=False, wrapstring='\n                    ')))
    yield '\n'
    if environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'contact'):
        pass
        yield '    Who to contact: '
        l_1_link = resolve('link')
        t_3 = []
        pass
        t_3.extend((
            str(environment.finalize(environment.call(context, (undefined(name='link') if l_1_link is missing else l_1_link), environment.getattr(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'contact'), 'name'), environment.getattr(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'contact'), 'url')))),
            ': ',
            str(environment.finalize(environment.getattr(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'contact'), 'how'))),
        ))
        if environment.getattr(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'contact'), 'hours'):
            pass
            t_3.extend((
                ' (',
                str(environment.finalize(environment.getattr(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'contact'), 'hours'))),
                ')',
            ))
        yield t_2(environment, concat(t_3), 80, break_long_words=False, break_on_hyphens=False, wrapstring='\n                    ')
        l_1_link = missing
        yield '\n'
    yield '    By when:        '
    yield str(environment.finalize(t_2(environment, environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'timescale'), 80, break_long_words=False, break_on_hyphens=False, wrapstring='\n                    ')))
    yield '\n    Consent:        '
    yield str(environment.finalize(t_2(environment, str_join(((str_join(('First follow the consent position under Consent. Why it comes first: ', environment.call(context, environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'get'), 'consent_first'), '. For this step: ', )) if environment.call(context, environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'get'), 'consent_first') else ''), environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'consent'), )), 80, break_long_words=False, break_on_hyphens=False, wrapstring='\n                    ')))
    yield '\n'
    if environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'gather'):
        pass
        yield '    Information to gather:\n'
        for l_1_item in environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'gather'):
            _loop_vars = {}
            pass
            t_4 = []
            pass
            t_4.extend((
                '      - ',
                str(environment.finalize(l_1_item)),
            ))
            yield t_2(environment, concat(t_4), 92, break_long_words=False, break_on_hyphens=False, wrapstring='\n        ')
            yield '\n'
        l_1_item = missing
    if environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'why'):
        pass
        yield '    Why this applies:\n'
        for l_1_reason in environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'why'):
            _loop_vars = {}
            pass
            t_5 = []
            pass
            t_5.extend((
                '      - ',
                str(environment.finalize(environment.getattr(l_1_reason, 'text'))),
            ))
            yield t_2(environment, concat(t_5), 92, break_long_words=False, break_on_hyphens=False, wrapstring='\n        ')
            yield '\n'
        l_1_reason = missing
    if environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'source'):
        pass
        yield '    Source:         '
        l_1_link = resolve('link')
        l_1_standing_label = resolve('standing_label')
        t_6 = []
        pass
        t_6.append(
            str(environment.finalize(environment.call(context, (undefined(name='link') if l_1_link is missing else l_1_link), environment.getattr(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'source'), 'title'), environment.getattr(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'source'), 'url')))),
        )
        if environment.getattr(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'source'), 'section'):
            pass
            t_6.extend((
                ', ',
                str(environment.finalize(environment.getattr(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'source'), 'section'))),
            ))
        if environment.call(context, (undefined(name='standing_label') if l_1_standing_label is missing else l_1_standing_label), environment.getattr(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'source'), 'standing')):
            pass
            t_6.extend((
                ' (',
                str(environment.finalize(environment.call(context, (undefined(name='standing_label') if l_1_standing_label is missing else l_1_standing_label), environment.getattr(environment.getattr((undefined(name='pathway') if l_0_pathway is missing else l_0_pathway), 'source'), 'standing')))),
                ')',
            ))
        yield t_2(environment, concat(t_6), 80, break_long_words=False, break_on_hyphens=False, wrapstring='\n                    ')
        l_1_link = l_1_standing_label = missing
        yield '\n'
    yield '\n'

blocks = {}
debug_info = '2=25&3=27&4=29&6=34&8=37&9=39&10=46&13=61&14=63&15=65&17=68&18=75&22=80&24=83&25=90&29=95&30=103'

# SPDX-License-Identifier: MIT
# Generated by scripts/compile_templates.py from src/rhrt/render/templates/pathway.text.j2
# (jinja2 3.1.6, format text): do not edit; run the script again instead.
# ruff: noqa
# mypy: ignore-errors
